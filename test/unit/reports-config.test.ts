import { describe, expect, it } from 'vitest';
import { ConfigError, reportsConfigFromEnv } from '@bu/config';

// The e-mail settings of the reports worker (ADR 0052): none means nothing is sent; a half-made
// configuration is refused at start, naming the variable; the password never appears in a message.

describe('reportsConfigFromEnv', () => {
  it('without SMTP_HOST: no mail, and no link without PUBLIC_URL', () => {
    expect(reportsConfigFromEnv({})).toEqual({ mail: null, publicUrl: null });
  });

  it('reads the SMTP settings, with port 587 and STARTTLS by default, and the public address without its trailing slash', () => {
    expect(
      reportsConfigFromEnv({
        SMTP_HOST: 'smtp.kommune.dk',
        SMTP_USER: 'boerneblik',
        SMTP_PASSWORD: 'kodeord-fra-it',
        MAIL_FROM: 'Børneblik <boerneblik@kommune.dk>',
        PUBLIC_URL: 'https://boerneblik.kommune.dk/',
      }),
    ).toEqual({
      mail: {
        host: 'smtp.kommune.dk',
        port: 587,
        secure: false,
        requireTls: true,
        user: 'boerneblik',
        password: 'kodeord-fra-it',
        from: 'Børneblik <boerneblik@kommune.dk>',
      },
      publicUrl: 'https://boerneblik.kommune.dk',
    });
    expect(reportsConfigFromEnv({ SMTP_HOST: 'smtp', MAIL_FROM: 'a@b.dk', SMTP_REQUIRE_TLS: '0' }).mail).toMatchObject({
      requireTls: false,
    });
    expect(reportsConfigFromEnv({ SMTP_HOST: 'smtp', SMTP_PORT: '465', SMTP_SECURE: '1', MAIL_FROM: 'a@b.dk' }).mail).toMatchObject({
      port: 465,
      secure: true,
    });
  });

  it('refuses a host without a sender, a user without a password, and an address that is not http(s), in Danish', () => {
    const problems = (env: Record<string, string>) => {
      try {
        reportsConfigFromEnv(env);
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ SMTP_HOST: 'smtp.kommune.dk' })).toEqual([expect.stringMatching(/^MAIL_FROM er ikke sat\./)]);
    expect(problems({ SMTP_HOST: 'smtp', MAIL_FROM: 'a@b.dk', SMTP_USER: 'u' })).toEqual([
      'SMTP_PASSWORD er ikke sat, men SMTP_USER er. Angiv kodeordet til SMTP-serveren.',
    ]);
    expect(problems({ PUBLIC_URL: 'ftp://x' })).toEqual([expect.stringMatching(/^PUBLIC_URL skal være en http\(s\)-adresse/)]);
    expect(problems({ SMTP_HOST: 'smtp', MAIL_FROM: 'a@b.dk', SMTP_PORT: '0' })).toEqual([
      expect.stringMatching(/^SMTP_PORT har en ugyldig værdi/),
    ]);
    // The password is in no message, whatever else is wrong.
    expect(problems({ SMTP_HOST: 'smtp', SMTP_USER: 'u', SMTP_PASSWORD: 'hemmeligt-kodeord' }).join('\n')).not.toContain('hemmeligt');
  });
});
