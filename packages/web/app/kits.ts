/**
 * The kits as downloads the person asks for: the Emergency Kit (after sign-up, and whenever the
 * Secret Key changes), the Recovery Kit and share cards, and the backup-codes sheet. Never
 * called without a click. The SDK builds them; its PDF builder (pdf-lib, the standard fonts,
 * the QR encoder) is loaded only here, on the first download, so it is not part of the page's
 * first load. Each function throws what the SDK's builder throws.
 */
import type { EmergencyKitInput } from '@latchkey/client/emergency-kit';
import type { RecoveryKitInput } from '@latchkey/client/recovery-kit';
import type { ShareCardInput } from '@latchkey/client/share-cards';
import type { BackupCodesSheetInput } from '@latchkey/client/backup-codes-sheet';
import { downloadFile } from './download.ts';

export const EMERGENCY_KIT_FILE_NAME = 'Latchkey Emergency Kit.pdf';

export async function downloadEmergencyKit(kit: EmergencyKitInput): Promise<void> {
  const { createEmergencyKitPdf } = await import('@latchkey/client/emergency-kit');
  downloadFile(await createEmergencyKitPdf(kit), EMERGENCY_KIT_FILE_NAME, 'application/pdf');
}

export async function downloadRecoveryKit(kit: RecoveryKitInput, as: 'pdf' | 'text'): Promise<void> {
  const { createRecoveryKitPdf, createRecoveryKitText } = await import('@latchkey/client/recovery-kit');
  if (as === 'pdf') downloadFile(await createRecoveryKitPdf(kit), 'Latchkey Recovery Kit.pdf', 'application/pdf');
  else downloadFile(createRecoveryKitText(kit), 'Latchkey Recovery Kit.txt', 'text/plain');
}

export async function downloadShareCard(card: ShareCardInput, as: 'pdf' | 'text'): Promise<void> {
  const { createShareCardPdf, createShareCardText } = await import('@latchkey/client/share-cards');
  const name = `Latchkey Recovery Share ${card.share.index} of ${card.share.total}`;
  if (as === 'pdf') downloadFile(await createShareCardPdf(card), `${name}.pdf`, 'application/pdf');
  else downloadFile(createShareCardText(card), `${name}.txt`, 'text/plain');
}

export async function downloadBackupCodes(sheet: BackupCodesSheetInput, as: 'pdf' | 'text'): Promise<void> {
  const { createBackupCodesSheetPdf, createBackupCodesSheetText } = await import('@latchkey/client/backup-codes-sheet');
  if (as === 'pdf') downloadFile(await createBackupCodesSheetPdf(sheet), 'Latchkey backup codes.pdf', 'application/pdf');
  else downloadFile(createBackupCodesSheetText(sheet), 'Latchkey backup codes.txt', 'text/plain');
}
