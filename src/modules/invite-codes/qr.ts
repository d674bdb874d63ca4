import QRCode from 'qrcode';

/**
 * A QR code of `text` as a standalone SVG: black on white with a quiet zone, so it scans on a dark
 * page too. Medium error correction survives a phone photographing a screen.
 */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, {
    type: 'svg',
    margin: 2,
    // Stryker disable next-line StringLiteral: qrcode reads an unknown level ('') as its default, M: the same symbol
    errorCorrectionLevel: 'M',
    // Stryker disable next-line ObjectLiteral,StringLiteral: these are qrcode's defaults, which it also uses for a missing or empty colour: the same SVG
    color: { dark: '#000000', light: '#ffffff' },
  });
}
