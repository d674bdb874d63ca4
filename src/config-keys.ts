/** Every environment variable Helpr reads, with its default and what it does (the README's table is checked against it). */
export interface ConfigKey {
  name: string;
  default: string;
  description: string;
}

export const CONFIG_KEYS: readonly ConfigKey[] = [
  { name: 'PORT', default: '8080', description: 'TCP port the web server listens on.' },
  { name: 'HOST', default: '0.0.0.0', description: 'Address to bind; 127.0.0.1 keeps Helpr local.' },
  { name: 'DATA_DIR', default: './data', description: 'Where the SQLite database and the generated secret key live.' },
  { name: 'LOG_LEVEL', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent; debug adds one line per HTTP request.' },
  { name: 'LOG_FORMAT', default: 'auto', description: 'json (one JSON object per line, for log collectors), pretty (readable lines; a development install only) or auto: pretty in a terminal, JSON otherwise.' },
  { name: 'TRUST_PROXY', default: 'off', description: 'Behind a reverse proxy: a hop count (1) or a comma-separated list of proxy addresses.' },
  { name: 'BASE_URL', default: '', description: 'Public URL of Helpr (https://invite.example.com, or https://example.com/helpr under a path), used in invite links.' },
  { name: 'BASE_PATH', default: '', description: 'Serve Helpr under this path of a domain (/helpr), behind a reverse proxy that passes the path as it came or strips it. Defaults to the path of BASE_URL.' },
  { name: 'DATABASE_URL', default: 'sqlite:./data/helpr.db', description: 'sqlite:PATH, sqlite::memory: or postgres://user:pass@host:5432/db.' },
  { name: 'REDIS_URL', default: '', description: 'redis://host:6379: shared rate-limit counters when several instances run.' },
  { name: 'REDIS_KEY_PREFIX', default: 'helpr:', description: 'Put before every Redis key Helpr uses; give each Helpr site sharing one Redis its own.' },
  { name: 'SECRET_KEY', default: '', description: 'At least 32 characters; signs cookies and encrypts secrets. Generated into DATA_DIR when empty.' },
  { name: 'ADMIN_USERNAME', default: '', description: 'With ADMIN_PASSWORD: create this admin at start when none exists.' },
  { name: 'ADMIN_PASSWORD', default: '', description: 'Password for ADMIN_USERNAME (at least 12 characters).' },
  { name: 'PLEX_TOKEN', default: '', description: "The server owner's Plex token (normally set by Sign in with Plex)." },
  { name: 'PLEX_SERVER_ID', default: '', description: "The media server's machine identifier." },
  { name: 'PLEX_SERVER_URL', default: '', description: 'Override the media server URL (otherwise taken from plex.tv).' },
  { name: 'PLEX_TV_URL', default: 'https://plex.tv', description: 'Base URL of plex.tv (change only for the simulator).' },
  { name: 'PLEX_CLIENTS_URL', default: 'https://clients.plex.tv', description: 'Base URL of clients.plex.tv (change only for the simulator).' },
  { name: 'PLEX_APP_URL', default: 'https://app.plex.tv', description: 'Base URL of app.plex.tv, where the owner and friends sign in to Plex (change only for the simulator).' },
  { name: 'PLEX_LIBRARIES', default: '', description: 'Comma-separated library keys or titles new friends get; set at start, for setups without the admin area.' },
  { name: 'INVITE_RATE_LIMIT', default: '', description: 'Invite requests per client address, as COUNT/WINDOW (5/15m); overrides the admin setting.' },
  { name: 'INVITE_LEASE_SECONDS', default: '60', description: 'How long one attempt at sending an invite may take before another worker (or instance) takes the request over, after a crash say (45 to 3600: one send makes up to four plex.tv calls of up to 10 s each).' },
  { name: 'USERS_SYNC_MINUTES', default: '15', description: 'Minutes between two reads of who has access from plex.tv (the Users page); 5 to 1440, or 0 for only when the owner presses Sync now. With several instances, one syncs per interval.' },
  { name: 'MAX_EVENT_LOOP_DELAY_MS', default: '1000', description: 'Overload guard: past this event-loop lag, answer 503 with Retry-After; 0 turns it off.' },
  { name: 'REQUEST_TIMEOUT_MS', default: '30000', description: 'A client that has not sent its whole request (headers and body) by then gets 408 and is disconnected; 0 turns it off.' },
  { name: 'HEADERS_TIMEOUT_MS', default: '10000', description: 'The same for the request headers alone; at most REQUEST_TIMEOUT_MS.' },
  { name: 'SHUTDOWN_TIMEOUT_MS', default: '20000', description: 'The longest a stop (SIGTERM, Ctrl+C) takes; invites still being sent 3 s before it are given back to be sent again (1000 to 600000).' },
  { name: 'METRICS_TOKEN', default: '', description: 'At least 16 characters: turns on /metrics (Prometheus), answered only to Authorization: Bearer <METRICS_TOKEN>. Empty: no /metrics.' },
  { name: 'SECRET_KEY_FILE', default: '', description: 'A file holding SECRET_KEY (Docker or Kubernetes secrets); the same for DATABASE_URL_FILE, REDIS_URL_FILE, PLEX_TOKEN_FILE, ADMIN_PASSWORD_FILE and METRICS_TOKEN_FILE. Set either the variable or its _FILE, not both.' },
  { name: 'DATABASE_URL_FILE', default: '', description: 'A file holding DATABASE_URL (its password stays out of the environment).' },
  { name: 'REDIS_URL_FILE', default: '', description: 'A file holding REDIS_URL.' },
  { name: 'PLEX_TOKEN_FILE', default: '', description: 'A file holding PLEX_TOKEN.' },
  { name: 'ADMIN_PASSWORD_FILE', default: '', description: 'A file holding ADMIN_PASSWORD (taken as it is, but for the line break at its end).' },
  { name: 'METRICS_TOKEN_FILE', default: '', description: 'A file holding METRICS_TOKEN.' },
];
