/**
 * The Emergency Kit as a download the person asks for (SPEC §2.1): after sign-up, and again
 * whenever the Secret Key changes (the kit it replaces no longer works). Never called without a
 * click; the kit holds the Secret Key but never the password.
 */
import { createEmergencyKitPdf, type EmergencyKitInput } from '@latchkey/client/emergency-kit';
import { downloadFile } from './download.ts';

export const EMERGENCY_KIT_FILE_NAME = 'Latchkey Emergency Kit.pdf';

/** Builds the kit PDF in this browser and hands it to the browser's download. Throws what `createEmergencyKitPdf` throws. */
export async function downloadEmergencyKit(kit: EmergencyKitInput): Promise<void> {
  downloadFile(await createEmergencyKitPdf(kit), EMERGENCY_KIT_FILE_NAME, 'application/pdf');
}
