/**
 * Looks through synthesized manifests for anything that is, or carries, a secret value.
 * heapwatch reads the Slack webhook, the Grafana admin password and the snapshot token from
 * Secrets the user creates, so none of them may ever appear in dist/.
 */
import YAML from 'yaml';

export interface Finding {
  readonly file: string;
  readonly rule: string;
  readonly excerpt: string;
}

const TEXT_RULES: [string, RegExp][] = [
  ['slack-webhook-url', /hooks\.slack\.com\/(services|workflows)\//i],
  ['private-key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['bearer-token', /\bBearer\s+[A-Za-z0-9._~+/-]{16,}/],
  ['url-credentials', /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i],
  ['alertmanager-literal-url', /\b(api_url|slack_api_url):\s*\S/],
  ['github-or-slack-token', /\b(gh[pousr]_[A-Za-z0-9]{20,}|xox[abposr]-[A-Za-z0-9-]{10,})/],
];

const SECRETISH_NAME = /(PASSWORD|PASSWD|TOKEN|SECRET|WEBHOOK|API_?KEY|CREDENTIAL)/i;

/**
 * AlertmanagerConfig receiver fields that carry a secret (a webhook URL, an API key): they must be
 * Secret key references ({ name, key }), never a string. Some are typed as strings in the CRD
 * (webhookConfigs[].url), so the schema alone does not stop a literal.
 */
const AMC_SECRET_FIELDS = new Set(['apiURL', 'url', 'webhookURL', 'apiKey', 'apiSecret', 'routingKey', 'serviceKey', 'token', 'botToken', 'userKey']);

/** Scans one file's text (multi-document YAML). */
export function scanManifestText(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  for (const [rule, re] of TEXT_RULES) {
    const m = re.exec(text);
    if (m) findings.push({ file, rule, excerpt: m[0].slice(0, 24) });
  }
  for (const doc of YAML.parseAllDocuments(text)) {
    const obj = doc.toJS();
    if (!obj) continue;
    if (obj.kind === 'Secret') findings.push({ file, rule: 'secret-object', excerpt: `Secret/${obj.metadata?.name}` });
    if (obj.kind === 'AlertmanagerConfig') {
      for (const receiver of obj.spec?.receivers ?? []) {
        for (const [key, configs] of Object.entries<any>(receiver)) {
          if (!key.endsWith('Configs') || !Array.isArray(configs)) continue;
          for (const cfg of configs) {
            for (const [field, value] of Object.entries<any>(cfg ?? {})) {
              if (AMC_SECRET_FIELDS.has(field) && typeof value === 'string') {
                findings.push({ file, rule: 'alertmanager-config-literal-secret', excerpt: `${receiver.name}.${key}.${field}` });
              }
            }
          }
        }
      }
    }
    walkContainers(obj, (c) => {
      for (const env of c.env ?? []) {
        // A secret-named variable may only point at a file or come from a Secret reference.
        if (SECRETISH_NAME.test(env.name) && env.value !== undefined && !String(env.value).startsWith('/')) {
          findings.push({ file, rule: 'secret-in-env', excerpt: env.name });
        }
      }
    });
  }
  return findings;
}

function walkContainers(obj: any, visit: (c: any) => void): void {
  const spec = obj?.spec?.template?.spec ?? obj?.spec?.jobTemplate?.spec?.template?.spec ?? (obj?.kind === 'Pod' ? obj.spec : undefined);
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) visit(c);
}
