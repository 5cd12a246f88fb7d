-- A finding that was resolved and comes back (a regression) is "new" to notifications again:
-- opened_scan_id is the scan that opened it, first or again.

-- DropIndex
DROP INDEX "finding_states_target_id_first_scan_id_idx";

-- AlterTable
ALTER TABLE "finding_states" ADD COLUMN     "opened_scan_id" UUID;

-- Backfill: until now a state was opened only by its first scan.
UPDATE "finding_states" SET "opened_scan_id" = "first_scan_id" WHERE "status" = 'open';

-- CreateIndex
CREATE INDEX "finding_states_target_id_opened_scan_id_idx" ON "finding_states"("target_id", "opened_scan_id");
