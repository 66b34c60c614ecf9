-- AlterTable
ALTER TABLE "CopyTradeSubscription" ADD COLUMN     "stoppedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "CounterTradeConfig" ADD COLUMN     "stoppedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "VenueCredential" ADD COLUMN     "meta" JSONB;

-- CreateTable
CREATE TABLE "VenueMarket" (
    "id" UUID NOT NULL,
    "venue" TEXT NOT NULL,
    "venueMarketId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "category" TEXT,
    "status" TEXT NOT NULL DEFAULT 'open',
    "closesAt" TIMESTAMP(3),
    "yesTokenId" TEXT,
    "noTokenId" TEXT,
    "tickSize" DECIMAL(10,6),
    "minSize" DECIMAL(18,6),
    "negRisk" BOOLEAN NOT NULL DEFAULT false,
    "raw" JSONB,
    "syncedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VenueMarket_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FollowedWallet" (
    "address" TEXT NOT NULL,
    "cursor" JSONB,
    "lastPolledAt" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FollowedWallet_pkey" PRIMARY KEY ("address")
);

-- CreateTable
CREATE TABLE "WalletTrade" (
    "id" UUID NOT NULL,
    "walletAddress" TEXT NOT NULL,
    "tradeKey" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "asset" TEXT NOT NULL,
    "conditionId" TEXT NOT NULL,
    "outcome" TEXT,
    "outcomeIndex" INTEGER,
    "size" DECIMAL(18,6) NOT NULL,
    "price" DECIMAL(10,6) NOT NULL,
    "title" TEXT,
    "tradedAt" TIMESTAMP(3) NOT NULL,
    "raw" JSONB,
    "seenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WalletTrade_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FollowExecution" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "configId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "walletTradeId" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "orderId" UUID,
    "runAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FollowExecution_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "VenueMarket_venue_closesAt_idx" ON "VenueMarket"("venue", "closesAt");

-- CreateIndex
CREATE UNIQUE INDEX "VenueMarket_venue_venueMarketId_key" ON "VenueMarket"("venue", "venueMarketId");

-- CreateIndex
CREATE INDEX "WalletTrade_walletAddress_tradedAt_idx" ON "WalletTrade"("walletAddress", "tradedAt");

-- CreateIndex
CREATE UNIQUE INDEX "WalletTrade_walletAddress_tradeKey_key" ON "WalletTrade"("walletAddress", "tradeKey");

-- CreateIndex
CREATE INDEX "FollowExecution_userId_createdAt_idx" ON "FollowExecution"("userId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "FollowExecution_configId_walletTradeId_key" ON "FollowExecution"("configId", "walletTradeId");

-- CreateIndex
CREATE INDEX "VenueCredential_keyVersion_idx" ON "VenueCredential"("keyVersion");
