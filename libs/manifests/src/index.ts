import { advisorVersion } from '#rollsafe/advisor';
export const v = advisorVersion + 1;
