import { promises as fs } from 'node:fs';
import path from 'node:path';
import { certFiles, type ClusterLayout } from './layout';
import { run } from './exec';

/** Long enough not to expire under a running county, short enough that a leaked key does not live forever. */
const DAYS = 825;

/**
 * Makes the cluster's CA, the frontend's server certificate and one client certificate with the openssl CLI (present on
 * every Debian machine; no npm package needed). Existing files are kept: re-issuing them on every `up` would lock out
 * every client that copied the old ones.
 */
export async function ensureCertificates(layout: ClusterLayout, log: (line: string) => void): Promise<void> {
  const c = certFiles(layout);
  if (await allExist(Object.values(c))) return;
  await fs.mkdir(layout.certDir, { recursive: true, mode: 0o700 });
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', c.caKey, '-out', c.caCert,
    '-days', String(DAYS), '-subj', '/O=duty-engine cluster/CN=duty-engine cluster CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await issue(layout, 'frontend', c.serverKey, c.serverCert, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    // The SDK connects to 127.0.0.1; the server's own system worker checks the name "localhost".
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  await issue(layout, 'duty-client', c.clientKey, c.clientCert, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=clientAuth',
  ]);
  await Promise.all([c.caKey, c.serverKey, c.clientKey].map((key) => fs.chmod(key, 0o600)));
  log(`已生成 CA 与证书(openssl): ${layout.certDir}`);
}

async function issue(layout: ClusterLayout, cn: string, keyFile: string, certFile: string, extensions: string[]): Promise<void> {
  const c = certFiles(layout);
  const csr = path.join(layout.certDir, `${cn}.csr`);
  const ext = path.join(layout.certDir, `${cn}.ext`);
  try {
    await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', csr,
      '-subj', `/O=duty-engine cluster/CN=${cn}`]);
    await fs.writeFile(ext, `${extensions.join('\n')}\n`);
    await run('openssl', ['x509', '-req', '-in', csr, '-CA', c.caCert, '-CAkey', c.caKey, '-CAcreateserial', '-out', certFile,
      '-days', String(DAYS), '-sha256', '-extfile', ext]);
  } finally {
    await Promise.all([csr, ext].map((f) => fs.rm(f, { force: true })));
  }
}

async function allExist(files: string[]): Promise<boolean> {
  const found = await Promise.all(files.map((f) => fs.access(f).then(() => true, () => false)));
  return found.every(Boolean);
}
