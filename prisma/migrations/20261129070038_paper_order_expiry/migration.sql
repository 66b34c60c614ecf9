-- AlterTable
ALTER TABLE "PaperOrder" ADD COLUMN     "expiresAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "PaperTrade_venue_accountId_createdAt_idx" ON "PaperTrade"("venue", "accountId", "createdAt");
