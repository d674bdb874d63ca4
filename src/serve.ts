import { missingSettings, runChild } from './launcher.js';

/** `helpr serve` / `npm start`: Helpr with its memory settings, through the launcher when needed. */
const missing = missingSettings(process);
if (missing) runChild(process, missing);
else await import('./main.js');
