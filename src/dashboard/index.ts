export { buildMemoryDashboard, DASHBOARD_TITLE } from './memory-dashboard';
export { renderDashboards, MEMORY_DASHBOARD_FILE } from './render';
export { panelQueries, allPanels, PanelQuery, QueryVariables } from './panel-queries';
export { DATASOURCE } from './queries';
export { VAR, BUILTIN } from './selectors';
export { KSM } from './restarts';
export { HEAPWATCH_ALERTS_REGEX } from './sections/event-loop-alerts';
