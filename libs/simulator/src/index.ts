export * from './types.js';
export { PROFILES, PROFILES_VERSION, profileById, profileFor, type Confidence, type Num, type ProviderProfile } from '#rollsafe/advisor';
export { simulate, readyTime, servesTerminatingEndpoints, defaultNodeNames, compareNames } from './simulate.js';
export { DEFAULTS, pathOf, resolveParams, type SimulationOverrides } from './params.js';
export { searchFixes, ruleIdsForCauses, causesOf, preStopNeeded } from './fixes.js';
export { serviceVerdicts, simulationInputFor, verdictHeadline, type ServiceVerdicts, type VerdictOptions, type VerdictSummary } from './verdicts.js';
export { serviceTimelineSvg, simulateSnapshot, simulationContract, type SimulationRun, type SimulateOptions } from './verdicts.js';
export { timelineSvg, SVG_COLOURS } from './svg.js';
