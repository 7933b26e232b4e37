/**
 * Generates promtool unit tests for heapwatch's rules at any config: `renderRuleTests(config, ruleFiles)`.
 * Exported so a team with its own thresholds can generate, and run in its CI, tests that pin
 * every alert's boundary at those thresholds (`promtool test rules ...`). The series builders and
 * the Go-template re-implementation behind it stay internal.
 */
export * from './render-tests';
