import { checkAccountPassword } from './src/account-password-strength.ts';
for (const p of process.argv.slice(2)) {
  const r = checkAccountPassword(p);
  if (!r.ok) console.log('WEAK', JSON.stringify(p), r.score);
}
