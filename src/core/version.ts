// The product version, from package.json (esbuild inlines it into the bundles).
import { version } from '../../package.json';

export const VERSION: string = version;
