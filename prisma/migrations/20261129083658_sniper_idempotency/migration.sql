-- AlterTable
ALTER TABLE "SniperOrder" ADD COLUMN     "idempotencyKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "SniperOrder_userId_idempotencyKey_key" ON "SniperOrder"("userId", "idempotencyKey");
