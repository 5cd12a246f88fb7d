// The fake apiserver's own PKI: a CA made at start-up, a serving certificate for 127.0.0.1 and
// localhost, and client certificates (CN = user name, O = groups) signed by the same CA.
// ECDSA P-256 through WebCrypto: a key pair and a signature take about a millisecond.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

const EC_KEY: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 86_400_000;

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

export interface CertificateAuthority extends IssuedCertificate {
  /** Signs a client certificate (clientAuth) whose subject CN is the user name and O each group. */
  issueClient(commonName: string, groups?: string[]): Promise<IssuedCertificate>;
  /** Signs a serving certificate (serverAuth) for the given IP addresses and DNS names. */
  issueServer(ips: string[], dnsNames: string[]): Promise<IssuedCertificate>;
}

function escapeDn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

function serial(): string {
  // positive (high bit clear), 16 bytes
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

/** A fresh CA (one per fake apiserver): nobody else trusts it. */
export async function createCertificateAuthority(commonName = 'rollsafe-fake-kube-ca'): Promise<CertificateAuthority> {
  const keys = await keyPair();
  const now = Date.now();
  const caName = `CN=${escapeDn(commonName)}`;
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: caName,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 30 * DAY_MS),
    signingAlgorithm: SIGNING,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });

  async function issue(subject: string, extensions: x509.Extension[]): Promise<IssuedCertificate> {
    const leaf = await keyPair();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject,
      issuer: caCert.subject,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 30 * DAY_MS),
      signingAlgorithm: SIGNING,
      publicKey: leaf.publicKey,
      signingKey: keys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey),
        ...extensions,
      ],
    });
    return { certPem: cert.toString('pem'), keyPem: await keyPem(leaf.privateKey) };
  }

  return {
    certPem: caCert.toString('pem'),
    keyPem: await keyPem(keys.privateKey),
    issueClient(cn, groups = []) {
      const subject = [`CN=${escapeDn(cn)}`, ...groups.map((g) => `O=${escapeDn(g)}`)].join(', ');
      return issue(subject, [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      ]);
    },
    issueServer(ips, dnsNames) {
      return issue(`CN=${escapeDn(dnsNames[0] ?? ips[0] ?? 'kube-apiserver')}`, [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
          ...ips.map((value) => ({ type: 'ip' as const, value })),
        ]),
      ]);
    },
  };
}
