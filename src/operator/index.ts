export * from './heapwatch-operator-stack';
export * from './heapwatch-app-monitoring';
export * from './prometheus-rule';
export * from './pod-monitor';
export * from './heapwatch-alertmanager-config';
export * from './alertmanager-config-spec';
export * from './dashboard-config-map';
export * from './operator-labels';
