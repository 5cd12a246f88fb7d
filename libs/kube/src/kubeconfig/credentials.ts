/**
 * The inline credentials of one kubeconfig context, as admitted by the intake policy. This
 * is what the service encrypts at rest; it is never logged or returned.
 */
export interface ClusterCredentials {
  contextName: string;
  /** https://host:port[/path] */
  server: string;
  /** PEM, decoded from certificate-authority-data. */
  certificateAuthority?: string;
  tlsServerName?: string;
  insecureSkipTlsVerify: boolean;
  token?: string;
  /** PEM, decoded from client-certificate-data / client-key-data. */
  clientCertificate?: string;
  clientKey?: string;
  namespace?: string;
  /** Set when the user authenticates through an exec plugin or auth provider (CLI only). */
  execUser?: string;
}
