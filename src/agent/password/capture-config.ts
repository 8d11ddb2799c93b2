import Type, { type Static } from 'typebox';

/**
 * The `passwords` section of the agent configuration: password capture on a Samba DC. It
 * needs root (or membership of the group that owns PRIVATE_DIR/ldap_priv) and the secret GPG
 * key Samba encrypts new passwords to.
 */
export const PasswordCaptureSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description:
        'Capture password changes on this Samba DC and forward them to the service. Needs ' +
        '"password hash gpg key ids" in smb.conf.',
    }),
    privateDir: Type.String({
      minLength: 1,
      default: '/var/lib/samba/private',
      description:
        "Samba's private directory (smb.conf `private dir`), which holds ldap_priv/ldapi.",
    }),
    gnupgHome: Type.String({
      minLength: 1,
      default: '/root/.gnupg',
      description:
        'GNUPGHOME with the secret key named in "password hash gpg key ids", without a passphrase.',
    }),
    pollSeconds: Type.Number({
      minimum: 0.2,
      maximum: 60,
      default: 1,
      description:
        'Interval between two reads of changed users on the privileged socket, in seconds.',
    }),
  },
  { additionalProperties: false, default: {} },
);

export type PasswordCaptureConfig = Static<typeof PasswordCaptureSchema>;
