/**
 * node-opcua's errors are written for protocol developers ("BadSecurityPolicyRejected (0x80550000)",
 * multi-line certificate advice). Engineers get one line that says what to check.
 */
const rules: [RegExp, string][] = [
  [/ECONNREFUSED/, 'connection refused'],
  [/ENOTFOUND|EAI_AGAIN/, 'host name not found'],
  [/EHOSTUNREACH|ENETUNREACH/, 'host unreachable'],
  [/ECONNRESET/, 'connection reset by the server'],
  [/ETIMEDOUT|timeout|timed out|took longer/i, 'no answer (timed out)'],
  [/BadSecurityPolicyRejected|BadSecurityModeRejected/, 'the server does not offer this security mode/policy'],
  [
    /BadCertificate|certificate.*(untrusted|rejected)|rejected by server/i,
    'the server rejected our certificate — trust it on the server',
  ],
  [
    /BadIdentityTokenInvalid|BadIdentityTokenRejected|BadUserAccessDenied/,
    'the server does not accept anonymous login',
  ],
  [/BadTooManySessions/, 'the server has too many sessions open'],
  [/BadTcpEndpointUrlInvalid|Invalid endpoint/i, 'the server does not know this endpoint URL'],
];

export const describeOpcUaError = (e: unknown): string => {
  const raw = e instanceof Error ? e.message : String(e);
  for (const [re, text] of rules) if (re.test(raw)) return text;
  const firstLine = raw.split('\n')[0]?.trim() ?? raw;
  return firstLine.length > 160 ? `${firstLine.slice(0, 157)}...` : firstLine;
};
