-- What a scan changed (written once with its result), and the snapshot parsed when an upload was accepted.

-- CreateEnum
CREATE TYPE "ChangeKind" AS ENUM ('opened', 'reopened', 'resolved');

-- AlterTable
ALTER TABLE "scan_inputs" ADD COLUMN     "snapshot" TEXT;

-- CreateTable
CREATE TABLE "scan_changes" (
    "scan_id" UUID NOT NULL,
    "finding_id" UUID NOT NULL,
    "change" "ChangeKind" NOT NULL,

    CONSTRAINT "scan_changes_pkey" PRIMARY KEY ("scan_id","finding_id")
);

-- CreateIndex
CREATE INDEX "scan_changes_finding_id_idx" ON "scan_changes"("finding_id");

-- AddForeignKey
ALTER TABLE "scan_changes" ADD CONSTRAINT "scan_changes_scan_id_fkey" FOREIGN KEY ("scan_id") REFERENCES "scans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scan_changes" ADD CONSTRAINT "scan_changes_finding_id_fkey" FOREIGN KEY ("finding_id") REFERENCES "findings"("id") ON DELETE CASCADE ON UPDATE CASCADE;

