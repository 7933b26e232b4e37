import { Construct } from 'constructs';
import { HeapwatchConfig } from '../config';
import { HeapwatchAlertmanagerConfig } from './heapwatch-alertmanager-config';
import { HeapwatchPodMonitor } from './pod-monitor';

export interface HeapwatchAppMonitoringProps {
  /** The resolved config of the watched app (resolveConfig()), mode 'operator'. */
  readonly config: HeapwatchConfig;
  /** The labels that select the app's pods (HeapWatchedApp: `selectorLabels(app.labels)`). */
  readonly podSelector: Readonly<Record<string, string>>;
}

/** Operator mode, per watched app, in the app's namespace: its PodMonitor and the namespace's AlertmanagerConfig. */
export class HeapwatchAppMonitoring extends Construct {
  public readonly podMonitor: HeapwatchPodMonitor;
  public readonly alertmanagerConfig: HeapwatchAlertmanagerConfig;

  constructor(scope: Construct, id: string, props: HeapwatchAppMonitoringProps) {
    super(scope, id);
    this.podMonitor = new HeapwatchPodMonitor(this, 'PodMonitor', props);
    this.alertmanagerConfig = new HeapwatchAlertmanagerConfig(this, 'AlertmanagerConfig', { config: props.config });
  }
}
