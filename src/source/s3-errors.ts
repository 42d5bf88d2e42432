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
  PermanentRedirect: ['wrong_region', 'the bucket is in another region: set the bucket\'s region.'],
  AuthorizationHeaderMalformed: ['wrong_region', 'the request was signed for the wrong region: set the bucket\'s region.'],
  IllegalLocationConstraintException: ['wrong_region', 'the bucket is in another region: set the bucket\'s region.'],
};

/** A SlideError for an S3 error answer, or undefined when the body is not one. */
export function s3Error(id: string, status: number, body: string): SlideError | undefined {
  const parsed = parseS3Error(body);
  if (!parsed) return undefined;
  let [code, advice] = ADVICE[parsed.code] ?? [`http_${status}` as SlideErrorCode, parsed.message || `the server refused the request (${parsed.code}).`];
  // An expired presigned URL is reported as AccessDenied with this message.
  if (parsed.code === 'AccessDenied' && /expired/i.test(parsed.message)) [code, advice] = ['credentials_expired', 'the signed URL has expired: get a fresh one.'];
  return new SlideError(code, `${id} answered HTTP ${status} ${parsed.code}: ${advice}`, { source: id });
}
