/** The sidecar's entry point (what bundle.ts bundles and the image runs). */
import { serve } from './serve';

serve();
