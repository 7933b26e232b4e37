import { ResolvedConfig } from '../config';
import { PanelSpec } from './panels';

/**
 * One row of the dashboard. Its panels are laid out left to right in the order given; each
 * line of panels must add up to 24 columns (the dashboard test checks the resulting grid).
 */
export interface Section {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

/** A section file exports one of these. */
export type SectionFactory = (config: ResolvedConfig) => Section;
