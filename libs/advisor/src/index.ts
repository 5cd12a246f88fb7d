export const advisorVersion = 1;
