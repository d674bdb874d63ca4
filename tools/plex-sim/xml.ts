/**
 * A tiny XML writer. Hand-rolled instead of XMLBuilder so attribute escaping (quotes, newlines, `&`)
 * is explicit and testable, and so element order and self-closing tags match what Plex sends.
 */
export type XmlAttr = string | number | boolean | null | undefined;

export interface XmlNode {
  name: string;
  attrs?: Record<string, XmlAttr>;
  children?: XmlNode[];
  text?: string;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};

/** Attributes are always double-quoted, so `'` stays literal as in Plex's "You're already sharing…". */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"\n\r\t]/g, (ch) => ESCAPES[ch] ?? ch);
}

/** Plex writes booleans as "1"/"0"; a null or undefined attribute is left out. */
function formatAttr(value: XmlAttr): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

function renderNode(node: XmlNode, indent: string): string {
  const attrs = Object.entries(node.attrs ?? {})
    .map(([key, raw]) => [key, formatAttr(raw)] as const)
    .filter((pair): pair is readonly [string, string] => pair[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
  const open = `${indent}<${node.name}${attrs}`;
  const children = node.children ?? [];
  if (node.text !== undefined) return `${open}>${escapeXml(node.text)}</${node.name}>`;
  if (children.length === 0) return `${open}/>`;
  const inner = children.map((child) => renderNode(child, `${indent}  `)).join('\n');
  return `${open}>\n${inner}\n${indent}</${node.name}>`;
}

export function renderXml(root: XmlNode): string {
  return `${XML_DECLARATION}\n${renderNode(root, '')}\n`;
}

// v2 XML names list items by the singular of the list's key (`<features><feature id=…/></features>`).
const SINGULAR: Record<string, string> = { libraries: 'library', entries: 'entry' };
const singular = (key: string): string => SINGULAR[key] ?? key.replace(/s$/, '');

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function listNode(key: string, items: unknown[]): XmlNode {
  const itemName = singular(key);
  return {
    name: key,
    // Scalar items (feature names, roles) become `<feature id="…"/>` as in python-plexapi's ACCOUNT_XML.
    children: items.map((item) =>
      isPlainObject(item) ? objectToXml(itemName, item) : { name: itemName, attrs: { id: String(item) } },
    ),
  };
}

/**
 * Turns a v2 JSON object into Plex's XML form: scalars become attributes, nested objects become child
 * elements and arrays become a wrapper element holding one element per item.
 */
export function objectToXml(name: string, value: Record<string, unknown>): XmlNode {
  const attrs: Record<string, XmlAttr> = {};
  const children: XmlNode[] = [];
  for (const [key, field] of Object.entries(value)) {
    if (Array.isArray(field)) children.push(listNode(key, field));
    else if (isPlainObject(field)) children.push(objectToXml(key, field));
    else attrs[key] = field as XmlAttr;
  }
  return { name, attrs, children };
}

/** v2 list endpoints in XML: the items under a `MediaContainer` with a `size`. */
export function listToXml(itemName: string, items: Record<string, unknown>[]): XmlNode {
  const children = items.map((item) => objectToXml(itemName, item));
  return { name: 'MediaContainer', attrs: { size: items.length }, children };
}
