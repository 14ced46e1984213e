/** The 测评码 (short code) channel: the page to type one, its refusals, letters and the SMS list. */
export const codeMessages = {
  'codes.entry.title': { zh: '输入测评码', en: 'Enter your evaluation code' },
  'codes.entry.lead': {
    zh: '请输入通知函或短信中的 16 位测评码。大小写、空格和横线都不影响。',
    en: 'Type the 16-character code from your letter or text message. Case, spaces and hyphens do not matter.',
  },
  'codes.entry.label': { zh: '测评码', en: 'Evaluation code' },
  'codes.entry.submit': { zh: '开始测评', en: 'Start' },
  'codes.entry.malformed': {
    zh: '这不是一个有效的测评码：测评码共 16 位，由数字和字母组成（如 K7QM-2XDA-9KTR-H4PB）。请核对后重新输入。',
    en: 'This is not a valid code: a code has 16 letters and digits (such as K7QM-2XDA-9KTR-H4PB). Please check it and try again.',
  },
  'codes.notFound.title': { zh: '测评码无效', en: 'This code does not work' },
  'codes.notFound.body': {
    zh: '这个测评码无效，或已被新的测评码取代。请核对后重新输入；如有疑问，请联系行风评议办公室。',
    en: 'This code is not valid, or it has been replaced by a new one. Please check it and try again; otherwise contact the evaluation office.',
  },
  'codes.notFound.again': { zh: '重新输入测评码', en: 'Enter the code again' },
  'codes.letter.code': { zh: '测评码', en: 'Evaluation code' },
  'codes.letter.short': { zh: '也可以访问 {url} 并输入上面的测评码。', en: 'Or go to {url} and type the code above.' },
  'codes.sms.text': { zh: '{year}年行风评议测评票：{url}', en: '{year} evaluation ballot: {url}' },
  'codes.sms.download': { zh: '短信名单（CSV）', en: 'SMS list (CSV)' },
  'codes.sms.downloadUnused': { zh: '提醒短信名单（仅未提交者，CSV）', en: 'Reminder SMS list (not yet answered, CSV)' },
  'codes.sms.tooLong': {
    zh: 'BASE_URL（{base}）太长，短信无法控制在一条（70 字）以内：短信将有 {length} 字，地址最长可为 {max} 个字符。请使用更短的地址。',
    en: 'BASE_URL ({base}) is too long for the text to fit one SMS (70 characters): the text would have {length}; the address may have at most {max} characters. Use a shorter address.',
  },
} as const;
