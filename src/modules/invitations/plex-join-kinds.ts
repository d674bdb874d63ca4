/**
 * The error kinds a join job records that the friend's page reads (besides the email flow's own):
 * - friend_unconfirmed: Plex does not let the friend accept before they confirm their email; the
 *   job waits, and the page's Try again makes it due now;
 * - friend_token_invalid: Helpr cannot act as the friend (their token was refused, or is gone); the
 *   share exists and the request is sent: they accept it from Plex's email or app.plex.tv.
 */
export const FRIEND_UNCONFIRMED = 'friend_unconfirmed';
export const FRIEND_TOKEN_INVALID = 'friend_token_invalid';

/** What the owner reads (last_error) while an unconfirmed friend's job waits. */
export const UNCONFIRMED_WORDS = "The friend's Plex account has not confirmed its email address yet, so Plex does not let it accept the invite. Helpr tries again every few minutes.";
