import MarkdownIt from 'markdown-it';

/** Link schemes the owner's text may use: web pages and email. Anything else stays plain text. */
const ALLOWED_LINK = /^(?:https?:\/\/|mailto:)/i;

/**
 * The owner's Markdown (the friends' guide, the house rules) as HTML for friends' pages. The text
 * comes from the admin area, but a friend's browser runs what it renders, so it is treated as
 * untrusted: raw HTML is escaped (not passed through), only http(s) and mailto links become links
 * (javascript:, data:, relative paths stay text), and images are off (the page's CSP would block
 * other sites' images anyway, and a broken image helps nobody).
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
md.disable('image');
md.validateLink = (url: string): boolean => ALLOWED_LINK.test(url.trim());

// Links open in a new tab, so the friend keeps Helpr's page (the "You're in" page has their link),
// and the other site gets no handle on it.
const renderLinkOpen = md.renderer.rules.link_open ?? ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
md.renderer.rules.link_open = (tokens, index, options, env, self) => {
  const token = tokens[index]!;
  token.attrSet('target', '_blank');
  token.attrSet('rel', 'noopener noreferrer');
  return renderLinkOpen(tokens, index, options, env, self);
};

/** The longest text rendered (the settings forms limit the fields well below it). */
export const MARKDOWN_MAX = 20_000;

export function renderMarkdown(text: string): string {
  return md.render(text.slice(0, MARKDOWN_MAX));
}
