/** Where every test application's authorization responses go: the form driver stops there and never fetches it. */
export const redirectUri = 'https://app.example.test/callback';

/** A client secret of at least the 32 characters Gatehouse asks for, distinct per application. */
export const secretOf = (clientId: string) => `${clientId}-secret-`.padEnd(48, '0123456789');
