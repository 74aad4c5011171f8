/**
 * Notification templates: per RSIT type (or any type) and language, a subject and a plain-text body
 * with `{{placeholders}}`. HTML is made from the text, every value escaped: a case title comes from a
 * log, and a log is written by the attacker.
 */
export interface Template {
  readonly id: string;
  /** The RSIT type it is for; null: any. */
  readonly rsitType: string | null;
  readonly language: string;
  readonly subject: string;
  readonly text: string;
}

export const PLACEHOLDERS = [
  'ticket',
  'tlp',
  'title',
  'summary',
  'reason',
  'recipient',
  'observables',
  'team',
  'team_email',
] as const;
export type TemplateValues = Readonly<Record<(typeof PLACEHOLDERS)[number], string>>;

/** What Vigil ships; a CERT edits or adds its own through the API. */
export const DEFAULT_TEMPLATES: readonly Template[] = [
  {
    id: 'default-en',
    rsitType: null,
    language: 'en',
    subject: '{{title}}',
    text: `Dear {{recipient}},

{{team}} is handling an incident that concerns you: {{title}}.

{{summary}}

Why we contact you: {{reason}}

Observables:
{{observables}}

Please confirm that you received this message and tell us what you did, replying to this e-mail and keeping
{{ticket}} in the subject. The observables are attached as CSV.

This message is {{tlp}}: share it only as that label allows.

{{team}} <{{team_email}}>`,
  },
  {
    id: 'system-compromise-en',
    rsitType: 'system-compromise',
    language: 'en',
    subject: 'Compromised system: {{title}}',
    text: `Dear {{recipient}},

{{team}} has evidence that a system you are responsible for was compromised: {{title}}.

{{summary}}

Why we contact you: {{reason}}

Observables:
{{observables}}

Please investigate, clean up or take down what is affected, and reply to this e-mail (keeping {{ticket}} in
the subject) with what you found and did. The observables are attached as CSV, and as an X-ARF report for
abuse desks.

This message is {{tlp}}: share it only as that label allows.

{{team}} <{{team_email}}>`,
  },
  {
    id: 'default-zh',
    rsitType: null,
    language: 'zh',
    subject: '{{title}}',
    text: `{{recipient}}，您好：

{{team}} 正在处置一起与您相关的网络安全事件：{{title}}。

{{summary}}

联系您的原因：{{reason}}

相关观测数据：
{{observables}}

请回复本邮件（主题中保留 {{ticket}}）确认收到，并告知处置情况。观测数据另以 CSV 附件提供。

本邮件标记为 {{tlp}}，请按该标记的规定传播。

{{team}} <{{team_email}}>`,
  },
];

/** The template for a type and language: exact type and language, then any type, then English. */
export function chooseTemplate(
  templates: readonly Template[],
  rsitType: string | null,
  language: string,
): Template {
  const lang = language.toLowerCase().split('-')[0] ?? 'en';
  const pick = (t: string | null, l: string) => templates.find((x) => x.rsitType === t && x.language === l);
  return (
    (rsitType ? pick(rsitType, lang) : undefined) ??
    pick(null, lang) ??
    (rsitType ? pick(rsitType, 'en') : undefined) ??
    pick(null, 'en') ??
    DEFAULT_TEMPLATES[0]!
  );
}

export function render(template: string, values: TemplateValues): string {
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) =>
    name in values ? values[name as keyof TemplateValues] : whole,
  );
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The text as HTML: escaped, paragraphs kept, nothing from the values able to become markup. */
export function textToHtml(text: string): string {
  const paragraphs = text.split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`);
  return `<!doctype html><html><body style="font-family: sans-serif">${paragraphs.join('\n')}</body></html>`;
}

/** Placeholders a template names that do not exist: a typo would otherwise reach the recipient. */
export function unknownPlaceholders(template: Pick<Template, 'subject' | 'text'>): string[] {
  const found = [...`${template.subject}\n${template.text}`.matchAll(/\{\{\s*([a-z_]+)\s*\}\}/g)].map(
    (m) => m[1]!,
  );
  return [...new Set(found.filter((n) => !(PLACEHOLDERS as readonly string[]).includes(n)))];
}
