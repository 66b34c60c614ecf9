-- CreateIndex
CREATE INDEX "SniperOrder_marketId_armed_idx" ON "SniperOrder"("marketId", "armed");
