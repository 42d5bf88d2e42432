/**
 * A random RFC 4122 version-4 id. `crypto.randomUUID` exists only in secure contexts (a viewer opened over plain HTTP
 * on a lab's network has none); `getRandomValues` exists everywhere.
 */
export function newAnnotationId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
