import { SlideError } from '../errors.js';
import type { FrameBytes } from './instance-reader.js';

const syntaxOf = (text: string) => /transfer-syntax=([\d.]+)/i.exec(text)?.[1];

/** Where `needle` first occurs in `haystack` at or after `from`, or -1. */
function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  search: for (let i = haystack.indexOf(first, from); i >= 0 && i <= haystack.length - needle.length; i = haystack.indexOf(first, i + 1)) {
    for (let k = 1; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue search;
    return i;
  }
  return -1;
}

/**
 * The parts of a multipart/related body (a WADO-RS answer: one part per frame asked for, in the order asked), each with
 * the transfer syntax its Content-Type (or the whole answer's) names. A single-part answer is one part.
 */
export function multipartParts(body: Uint8Array, contentType: string, url: string): FrameBytes[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) {
    // A single-part answer (some servers for one frame): the body is the frame.
    const transferSyntax = syntaxOf(contentType);
    return [{ bytes: body, ...(transferSyntax ? { transferSyntax } : {}) }];
  }
  const delimiter = new TextEncoder().encode(`--${boundary}`);
  const parts: FrameBytes[] = [];
  let at = indexOf(body, delimiter, 0);
  while (at >= 0) {
    const afterDelimiter = at + delimiter.length;
    // "--" right after a delimiter closes the body.
    if (body[afterDelimiter] === 0x2d && body[afterDelimiter + 1] === 0x2d) break;
    const headersEnd = indexOf(body, new Uint8Array([13, 10, 13, 10]), afterDelimiter);
    if (headersEnd < 0) break;
    const next = indexOf(body, delimiter, headersEnd + 4);
    // The CRLF before the next delimiter belongs to it; a body cut short ends its last part at its end.
    const end = next < 0 ? body.length : next - 2;
    const headers = new TextDecoder('latin1').decode(body.subarray(afterDelimiter, headersEnd));
    const transferSyntax = syntaxOf(headers) ?? syntaxOf(contentType);
    parts.push({ bytes: body.slice(headersEnd + 4, Math.max(headersEnd + 4, end)), ...(transferSyntax ? { transferSyntax } : {}) });
    at = next;
  }
  if (parts.length === 0) throw new SlideError('corrupt', `${url}: the DICOMweb answer is not the multipart body it says it is.`, { source: url });
  return parts;
}
