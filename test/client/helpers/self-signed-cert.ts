// Test-only X.509 certificates made in process (no openssl on CI): a minimal
// DER encoder for a self-signed ECDSA P-256 certificate that is its own CA,
// valid for localhost and 127.0.0.1.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const seq = (...parts: Buffer[]): Buffer => der(0x30, ...parts);

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

function name(commonName: string): Buffer {
  return seq(der(0x31, seq(oid('2.5.4.3'), der(0x0c, Buffer.from(commonName, 'utf8')))));
}

export interface TestCertificate {
  /** PEM certificate (also the CA to trust). */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

/** A self-signed CA certificate usable as a TLS server or client certificate for localhost and 127.0.0.1. */
export function createSelfSignedCertificate(commonName = 'kube-object-manager-test'): TestCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const serial = randomBytes(16);
  // DER INTEGER: positive (top bit clear) and minimal (no leading zero byte).
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const basicConstraints = seq(
    oid('2.5.29.19'),
    der(0x01, Buffer.from([0xff])),
    der(0x04, seq(der(0x01, Buffer.from([0xff])))),
  );
  const subjectAltName = seq(
    oid('2.5.29.17'),
    der(0x04, seq(der(0x82, Buffer.from('localhost')), der(0x87, Buffer.from([127, 0, 0, 1])))),
  );
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    ecdsaWithSha256,
    name(commonName),
    seq(der(0x17, Buffer.from('200101000000Z')), der(0x17, Buffer.from('491231235959Z'))),
    name(commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, seq(basicConstraints, subjectAltName)),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certDer = seq(tbs, ecdsaWithSha256, der(0x03, Buffer.from([0]), signature));
  const body = certDer.toString('base64').replace(/(.{64})/g, '$1\n');
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
