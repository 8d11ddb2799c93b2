/**
 * The forms a password could take if it leaked into a file or a log: UTF-8, the UTF-16LE
 * bytes AD uses, and the base64 of both (LDIF, JSON of a Buffer). Each form is given as
 * latin1 text, so it can be searched for in file bytes read as latin1.
 */
export function passwordEncodings(password: string): string[] {
  const utf8 = Buffer.from(password, 'utf8');
  const utf16 = Buffer.from(password, 'utf16le');
  return [
    utf8.toString('latin1'),
    utf16.toString('latin1'),
    utf8.toString('base64'),
    utf16.toString('base64'),
    utf8.toString('base64url'),
  ];
}

const formNames = ['UTF-8', 'UTF-16LE', 'base64 of UTF-8', 'base64 of UTF-16LE', 'base64url'];

/**
 * Names each password (by its index, never its value) and form found in `content`. Text is
 * searched as its UTF-8 bytes, so one search covers both.
 */
export function findPasswords(content: Buffer | string, passwords: readonly string[]): string[] {
  const haystack = Buffer.from(content).toString('latin1');
  const found: string[] = [];
  passwords.forEach((password, index) => {
    passwordEncodings(password).forEach((form, formIndex) => {
      if (haystack.includes(form)) found.push(`password #${index} as ${formNames[formIndex]}`);
    });
  });
  return found;
}
