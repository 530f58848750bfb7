import QRCode from 'qrcode';

/**
 * A QR code as an SVG document, for a page to inline: drawn by Gatehouse, so that the secret an
 * `otpauth://` URI carries never reaches a third-party QR service, and no image request is
 * needed under the pages' Content-Security-Policy.
 */
export function qrCodeSvg(text: string): Promise<string> {
  // M recovers 15% damage, enough for a screen; a higher level only makes the modules smaller.
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
