// s3rver (an S3-protocol server) on loopback for the S3 checkpoint tests, with AWS Signature
// Version 4 verified on every request.
//
//   node --openssl-legacy-provider tests/s3/s3rver_launch.mjs --port 9000 --dir /tmp/s3 --bucket torghut \
//        --access-key AK --secret-key SK
//
// s3rver 3.7 checks only that a V4 request names a known access key; it does not recompute the
// signature. The middleware below does (canonical request → string to sign → HMAC chain, as the
// SigV4 documentation describes), so a wrong secret is refused with 403 SignatureDoesNotMatch
// and an unknown key with 403 InvalidAccessKeyId, as S3 does. Unsigned requests are refused
// (403 AccessDenied). The payload hash is taken from x-amz-content-sha256 (required) as signed;
// the body itself is not re-hashed.
//
// --openssl-legacy-provider: s3rver's ListObjectsV2 continuation tokens are DES-encrypted, and
// OpenSSL 3 has DES only in its legacy provider (without it, any second page is a 500).
//
// Fault injection for retry tests: an unsigned `POST /__faults?count=N` makes the next N requests
// answer 503 SlowDown.
import { createHash, createHmac } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback === undefined) {
    console.error(`s3rver_launch: --${name} is required`);
    process.exit(2);
  }
  return fallback;
}

const port = Number(arg('port'));
const directory = arg('dir');
const bucket = arg('bucket');
const accessKey = arg('access-key');
const secretKey = arg('secret-key');

AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey);

const rfc3986 = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const sha256 = (s) => createHash('sha256').update(s).digest('hex');
const hmac = (key, s) => createHmac('sha256', key).update(s).digest();

function canonicalRequest(req, signedHeaders, payloadHash) {
  const [rawPath, rawQuery = ''] = req.url.split(/\?(.*)/s);
  const path = rawPath
    .split('/')
    .map((seg) => rfc3986(decodeURIComponent(seg)))
    .join('/');
  const query = rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const [k, v = ''] = p.split(/=(.*)/s);
      return [rfc3986(decodeURIComponent(k)), rfc3986(decodeURIComponent(v))];
    })
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headers = signedHeaders
    .map((h) => `${h}:${String(req.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  return [req.method, path, query, headers, signedHeaders.join(';'), payloadHash].join('\n');
}

function s3Error(ctx, status, code, message) {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

let faults = 0;

async function verifySigV4(ctx, next) {
  if (ctx.method === 'POST' && ctx.path === '/__faults') {
    faults = Number(ctx.query.count ?? 0);
    ctx.status = 204;
    return;
  }
  if (faults > 0) {
    faults -= 1;
    return s3Error(ctx, 503, 'SlowDown', 'Please reduce your request rate.');
  }
  const auth = ctx.get('authorization');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
    auth,
  );
  if (!m) return s3Error(ctx, 403, 'AccessDenied', 'A SigV4 Authorization header is required.');
  const [, key, date, region, signed, signature] = m;
  if (key !== accessKey) {
    return s3Error(ctx, 403, 'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.');
  }
  const amzDate = ctx.get('x-amz-date');
  const payloadHash = ctx.get('x-amz-content-sha256');
  const signedHeaders = signed.split(';');
  if (!amzDate.startsWith(date) || !payloadHash || !signedHeaders.includes('host')) {
    return s3Error(ctx, 403, 'AccessDenied', 'x-amz-date, x-amz-content-sha256 and host must be signed.');
  }
  const scope = `${date}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope,
    sha256(canonicalRequest(ctx.req, signedHeaders, payloadHash))].join('\n');
  const signingKey = hmac(hmac(hmac(hmac('AWS4' + secretKey, date), region), 's3'), 'aws4_request');
  if (createHmac('sha256', signingKey).update(toSign).digest('hex') !== signature) {
    return s3Error(ctx, 403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.');
  }
  return next();
}

const server = new S3rver({
  address: '127.0.0.1',
  port,
  directory,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
server.middleware.unshift(verifySigV4);
await server.run();
console.log(`s3rver listening on 127.0.0.1:${port} bucket ${bucket}`);
// SIGTERM ends the process at once, kept-alive connections included (an outage for the clients;
// every object whose PUT was answered is already on disk). server.close() would wait for them.
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
