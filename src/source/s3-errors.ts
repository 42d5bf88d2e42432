import { SlideError, type SlideErrorCode } from '../errors.js';

/** What an S3-compatible server says in its XML error body: `<Error><Code>…</Code><Message>…</Message></Error>`. */
export function parseS3Error(body: string): { code: string; message: string } | undefined {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  if (!code) return undefined;
  return { code, message: /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? '' };
}

const ADVICE: Record<string, [SlideErrorCode, string]> = {
  AccessDenied: ['access_denied', 'access denied: the credentials or the bucket policy do not allow reading this object.'],
  AllAccessDisabled: ['access_denied', 'all access to this object has been disabled.'],
  SignatureDoesNotMatch: ['access_denied', 'the request signature does not match: check the secret key, or the URL was altered after signing.'],
  InvalidAccessKeyId: ['access_denied', 'the access key is unknown to the server: check the credentials.'],
  ExpiredToken: ['credentials_expired', 'the temporary credentials have expired: sign in again or refresh the identity.'],
  TokenRefreshRequired: ['credentials_expired', 'the temporary credentials must be refreshed.'],
  NoSuchKey: ['not_found', 'no such key in the bucket: check the key.'],
  NoSuchBucket: ['not_found', 'no such bucket: check the bucket name and the endpoint.'],
  PermanentRedirect: ['wrong_region', "the bucket is in another region: set the bucket's region."],
  AuthorizationHeaderMalformed: ['wrong_region', "the request was signed for the wrong region: set the bucket's region."],
  IllegalLocationConstraintException: ['wrong_region', "the bucket is in another region: set the bucket's region."],
};

/** A SlideError for an S3 error answer, or undefined when the body is not one. */
export function s3Error(id: string, status: number, body: string): SlideError | undefined {
  const parsed = parseS3Error(body);
  if (!parsed) return undefined;
  let [code, advice] = ADVICE[parsed.code] ?? [`http_${status}` as SlideErrorCode, parsed.message || `the server refused the request (${parsed.code}).`];
  // An expired presigned URL is reported as AccessDenied with this message.
  if (parsed.code === 'AccessDenied' && /expired/i.test(parsed.message))
    [code, advice] = ['credentials_expired', 'the signed URL has expired: get a fresh one.'];
  return new SlideError(code, `${id} answered HTTP ${status} ${parsed.code}: ${advice}`, { source: id });
}

/** The SDK's errors as SlideErrors with the codes users act on. */
export function s3SdkError(id: string, cause: unknown): SlideError {
  const e = cause as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? '';
  if (name === 'AbortError') return new SlideError('aborted', 'The listing was aborted.', { cause, source: id });
  if (name === 'NoSuchBucket' || status === 404)
    return new SlideError('not_found', `${id}: no such bucket. Check the bucket name and endpoint.`, { cause, source: id });
  if (name === 'ExpiredToken' || /expired/i.test(e.message ?? ''))
    return new SlideError('credentials_expired', `${id}: the credentials have expired. Sign in again.`, { cause, source: id });
  if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || status === 301)
    return new SlideError('wrong_region', `${id}: the bucket is in another region. Set its region.`, { cause, source: id });
  if (name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || status === 403) {
    return new SlideError('access_denied', `${id}: access denied (${name}). The credentials lack s3:ListBucket on this bucket, or are wrong.`, {
      cause,
      source: id,
    });
  }
  if (name === 'TypeError' || /fetch|network/i.test(e.message ?? '')) {
    return new SlideError(
      'network',
      `${id}: the bucket could not be reached: the network failed, or (in a browser) the bucket has no CORS rule for this page.`,
      { cause, source: id },
    );
  }
  return new SlideError(status ? `http_${status}` : 'network', `${id}: ${name || 'error'}: ${e.message ?? String(cause)}`, { cause, source: id });
}
