/** The operator-mode config the tests synthesize: kube-prometheus-stack installed as Helm release "kube-prometheus-stack". */
import { DeployMode, HeapwatchConfigInput } from '../../src/config';

export const KPS_RELEASE = 'kube-prometheus-stack';

export const OPERATOR_INPUT = { mode: DeployMode.OPERATOR, operator: { release: KPS_RELEASE } } as const satisfies HeapwatchConfigInput;
