import { DeployMode, modeProblems, OperatorConfig, requireResolved, ResolvedConfig, throwIfPropProblems } from '../config';

/**
 * A resolved config of mode 'operator': resolveConfig() refuses that mode without operator.release,
 * so the type can say it is there.
 */
export type OperatorModeConfig = ResolvedConfig & { readonly operator: OperatorConfig & { readonly release: string } };

/**
 * What every operator-mode construct and builder does first: the one gate (a config resolveConfig()
 * returned), then its props all at once: the config's mode, which must be 'operator', and the
 * construct's own `problems`.
 */
export function operatorConfig(config: ResolvedConfig, user: string, problems: readonly string[] = []): OperatorModeConfig {
  const c = requireResolved(config, user);
  throwIfPropProblems(user, [...modeProblems(c, DeployMode.OPERATOR, user), ...problems]);
  return c as OperatorModeConfig;
}
