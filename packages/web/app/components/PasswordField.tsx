/** The account password, typed to sign in, unlock or re-authenticate (never to choose a new one). */
import type { ComponentProps } from 'react';
import { SecretField } from './ui.tsx';

type Props = Omit<ComponentProps<typeof SecretField>, 'label' | 'autoComplete' | 'required'>;

export function AccountPasswordField(props: Props) {
  return <SecretField label="Account password" autoComplete="current-password" required {...props} />;
}
