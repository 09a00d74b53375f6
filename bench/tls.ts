/**
 * Certificates for serving the webhook over real TLS in tests and benches, made with the openssl
 * command: a CA, and serving certificates it signs for 127.0.0.1 (SAN IP:127.0.0.1, serverAuth) with
 * a chosen serial, so a client that trusts only the CA verifies the server as a kube-apiserver would.
 * P-256 keys (fast to make); one day of validity.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface TestCa {
  readonly dir: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** PEM, for a client's `ca` option. */
  readonly cert: string;
}

function openssl(args: readonly string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export function makeCa(dir: string): TestCa {
  const certFile = join(dir, "ca.crt");
  const keyFile = join(dir, "ca.key");
  // biome-ignore format: one openssl option per line
  openssl([
    "req", "-x509", ...EC,
    "-keyout", keyFile,
    "-out", certFile,
    "-days", "1",
    "-subj", "/CN=netpolc-test-ca",
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  return { dir, certFile, keyFile, cert: readFileSync(certFile, "utf8") };
}

/** A new serving key (PEM) at `keyFile`. */
export function makeKey(keyFile: string): void {
  openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", keyFile]);
}

/**
 * A serving certificate for 127.0.0.1 with `serial` (hex, as `getPeerCertificate().serialNumber`
 * prints it), for the key in `keyFile`, signed by `ca`; returned as PEM (not written: the caller
 * decides how the served file is replaced).
 */
export function issueServerCert(ca: TestCa, keyFile: string, serial: string): string {
  const csr = join(ca.dir, `server-${serial}.csr`);
  const ext = join(ca.dir, `server-${serial}.ext`);
  const out = join(ca.dir, `server-${serial}.crt`);
  writeFileSync(ext, "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
  openssl(["req", "-new", "-key", keyFile, "-out", csr, "-subj", "/CN=127.0.0.1"]);
  // biome-ignore format: one openssl option per line
  openssl([
    "x509", "-req",
    "-in", csr,
    "-CA", ca.certFile,
    "-CAkey", ca.keyFile,
    "-set_serial", `0x${serial}`,
    "-days", "1",
    "-extfile", ext,
    "-out", out,
  ]);
  return readFileSync(out, "utf8");
}

/**
 * A CA (in `dir`/ca) and a serving key and certificate with `serial` (in `dir`/serving, alone, so a
 * server watching that directory sees only changes to them).
 */
export function makeServingPair(
  dir: string,
  serial = "1001",
): { ca: TestCa; certFile: string; keyFile: string } {
  mkdirSync(join(dir, "ca"), { recursive: true });
  mkdirSync(join(dir, "serving"), { recursive: true });
  const ca = makeCa(join(dir, "ca"));
  const keyFile = join(dir, "serving", "tls.key");
  const certFile = join(dir, "serving", "tls.crt");
  makeKey(keyFile);
  writeFileSync(certFile, issueServerCert(ca, keyFile, serial));
  return { ca, certFile, keyFile };
}
