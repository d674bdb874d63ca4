import QRCode from 'qrcode';

/**
 * A QR code of `text` as a standalone SVG: black on white with a quiet zone, so it scans on a dark
 * page too. Medium error correction survives a phone photographing a screen.
 */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } });
}
