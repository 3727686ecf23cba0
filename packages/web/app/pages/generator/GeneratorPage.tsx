/** The stand-alone password generator page. Nothing generated here is sent anywhere. */
import { PageHeading } from '../../components/ui.tsx';
import { PasswordGenerator } from '../../components/PasswordGenerator.tsx';

export function GeneratorPage() {
  return (
    <main className="narrow">
      <PageHeading>Password generator</PageHeading>
      <p>Random passwords made in this browser. Copy one into a website's sign-up form, or save it in a new item.</p>
      <PasswordGenerator />
    </main>
  );
}
