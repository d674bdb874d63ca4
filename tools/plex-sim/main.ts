import { runPlexSimCli } from './cli.js';

// Entry point of `npm run plex-sim`; `helpr plex-sim` calls runPlexSimCli the same way.
runPlexSimCli(process.argv.slice(2), process.env).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
