/** A path segment as the router gives it, decoded (it leaves an encoded slash encoded); one that is not valid encoding, as it is. */
export function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
