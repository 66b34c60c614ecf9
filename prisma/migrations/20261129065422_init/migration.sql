-- CreateEnum
CREATE TYPE "OrderStatus" AS ENUM ('created', 'pending', 'partial', 'filled', 'cancelled', 'failed');

-- CreateEnum
CREATE TYPE "SniperStatus" AS ENUM ('WATCHING', 'EXECUTING', 'FILLED', 'EXPIRED', 'CANCELLED', 'FAILED');

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "maxOrderUsd" DECIMAL(18,6),
    "skipConfirmBelowUsd" DECIMAL(18,6),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatIdentity" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "platform" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "chatId" TEXT,
    "username" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChatIdentity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VenueCredential" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "venue" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "publicId" TEXT,
    "ciphertext" BYTEA NOT NULL,
    "iv" BYTEA NOT NULL,
    "authTag" BYTEA NOT NULL,
    "keyVersion" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VenueCredential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "label" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Market" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "closesAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Market_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MarketListing" (
    "id" TEXT NOT NULL,
    "marketId" TEXT NOT NULL,
    "venue" TEXT NOT NULL,
    "venueMarketId" TEXT NOT NULL,
    "yesTokenId" TEXT,
    "noTokenId" TEXT,
    "tickSize" DECIMAL(10,6) NOT NULL,
    "minSize" DECIMAL(18,6) NOT NULL,
    "negRisk" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MarketListing_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Order" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "marketId" TEXT NOT NULL,
    "listingId" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "price" DECIMAL(10,6) NOT NULL,
    "quantity" DECIMAL(18,6) NOT NULL,
    "amount" DECIMAL(18,6),
    "filledQuantity" DECIMAL(18,6) NOT NULL DEFAULT 0,
    "avgFillPrice" DECIMAL(10,6),
    "fee" DECIMAL(18,6) NOT NULL DEFAULT 0,
    "exchange" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'manual',
    "timeInForce" TEXT NOT NULL DEFAULT 'GTC',
    "status" "OrderStatus" NOT NULL DEFAULT 'created',
    "copyTradeSubId" UUID,
    "counterTradeId" UUID,
    "sniperId" UUID,
    "clientOrderId" TEXT NOT NULL,
    "idempotencyKey" TEXT,
    "venueOrderId" TEXT,
    "failureReason" TEXT,
    "routing" JSONB,
    "lateFillQuantity" DECIMAL(18,6) NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "submittedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Fill" (
    "id" UUID NOT NULL,
    "orderId" UUID NOT NULL,
    "venue" TEXT NOT NULL,
    "venueTradeId" TEXT NOT NULL,
    "price" DECIMAL(10,6) NOT NULL,
    "quantity" DECIMAL(18,6) NOT NULL,
    "fee" DECIMAL(18,6) NOT NULL DEFAULT 0,
    "late" BOOLEAN NOT NULL DEFAULT false,
    "filledAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Fill_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Position" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "listingId" TEXT NOT NULL,
    "marketId" TEXT NOT NULL,
    "exchange" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "quantity" DECIMAL(18,6) NOT NULL DEFAULT 0,
    "avgPrice" DECIMAL(10,6) NOT NULL DEFAULT 0,
    "costBasis" DECIMAL(18,6) NOT NULL DEFAULT 0,
    "realizedPnl" DECIMAL(18,6) NOT NULL DEFAULT 0,
    "takeProfitPrice" DECIMAL(10,6),
    "stopLossPrice" DECIMAL(10,6),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Position_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SniperOrder" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "marketId" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "exchange" TEXT,
    "triggerPrice" DECIMAL(10,6) NOT NULL,
    "amount" DECIMAL(18,6) NOT NULL,
    "slippage" DECIMAL(5,4) NOT NULL DEFAULT 0.02,
    "status" "SniperStatus" NOT NULL DEFAULT 'WATCHING',
    "expiresAt" TIMESTAMP(3),
    "repeat" BOOLEAN NOT NULL DEFAULT false,
    "failureReason" TEXT,
    "claimedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SniperOrder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CounterTradeConfig" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "targetWalletAddress" TEXT NOT NULL,
    "strategy" TEXT NOT NULL DEFAULT 'inverse',
    "sizeMultiplier" DECIMAL(5,2) NOT NULL DEFAULT 1,
    "executionDelaySec" INTEGER NOT NULL DEFAULT 0,
    "maxTradeSize" DECIMAL(18,6),
    "dailyStopLoss" DECIMAL(18,6),
    "categories" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "pausedUntil" TIMESTAMP(3),
    "pauseReason" TEXT,
    "dailyPnl" DECIMAL(18,6) NOT NULL DEFAULT 0,
    "dailyTradeCount" INTEGER NOT NULL DEFAULT 0,
    "dailyResetAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CounterTradeConfig_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CopyTradeSubscription" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "targetWalletAddress" TEXT NOT NULL,
    "sizeMultiplier" DECIMAL(5,2) NOT NULL DEFAULT 1,
    "executionDelaySec" INTEGER NOT NULL DEFAULT 0,
    "maxTradeSize" DECIMAL(18,6),
    "dailyStopLoss" DECIMAL(18,6),
    "categories" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "pausedUntil" TIMESTAMP(3),
    "pauseReason" TEXT,
    "dailyPnl" DECIMAL(18,6) NOT NULL DEFAULT 0,
    "dailyTradeCount" INTEGER NOT NULL DEFAULT 0,
    "dailyResetAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CopyTradeSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationOutbox" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "orderId" UUID,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "NotificationOutbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" UUID NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subject" TEXT,
    "details" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "PaperAccount" (
    "id" UUID NOT NULL,
    "venue" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "cash" DECIMAL(18,6) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PaperAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PaperHolding" (
    "id" UUID NOT NULL,
    "venue" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "venueMarketId" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "quantity" DECIMAL(18,6) NOT NULL,

    CONSTRAINT "PaperHolding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PaperOrder" (
    "id" TEXT NOT NULL,
    "venue" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "clientOrderId" TEXT NOT NULL,
    "venueMarketId" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "timeInForce" TEXT NOT NULL,
    "price" DECIMAL(10,6) NOT NULL,
    "quantity" DECIMAL(18,6) NOT NULL,
    "filledQuantity" DECIMAL(18,6) NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PaperOrder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PaperTrade" (
    "id" TEXT NOT NULL,
    "venue" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "venueMarketId" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "price" DECIMAL(10,6) NOT NULL,
    "quantity" DECIMAL(18,6) NOT NULL,
    "fee" DECIMAL(18,6) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PaperTrade_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ChatIdentity_userId_idx" ON "ChatIdentity"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "ChatIdentity_platform_externalId_key" ON "ChatIdentity"("platform", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "VenueCredential_userId_venue_kind_key" ON "VenueCredential"("userId", "venue", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ApiToken_userId_idx" ON "ApiToken"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Market_slug_key" ON "Market"("slug");

-- CreateIndex
CREATE INDEX "Market_category_idx" ON "Market"("category");

-- CreateIndex
CREATE UNIQUE INDEX "MarketListing_venue_venueMarketId_key" ON "MarketListing"("venue", "venueMarketId");

-- CreateIndex
CREATE UNIQUE INDEX "MarketListing_marketId_venue_key" ON "MarketListing"("marketId", "venue");

-- CreateIndex
CREATE UNIQUE INDEX "Order_clientOrderId_key" ON "Order"("clientOrderId");

-- CreateIndex
CREATE INDEX "Order_userId_createdAt_idx" ON "Order"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "Order_status_idx" ON "Order"("status");

-- CreateIndex
CREATE INDEX "Order_exchange_venueOrderId_idx" ON "Order"("exchange", "venueOrderId");

-- CreateIndex
CREATE UNIQUE INDEX "Order_userId_idempotencyKey_key" ON "Order"("userId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "Fill_orderId_idx" ON "Fill"("orderId");

-- CreateIndex
CREATE UNIQUE INDEX "Fill_venue_venueTradeId_key" ON "Fill"("venue", "venueTradeId");

-- CreateIndex
CREATE INDEX "Position_listingId_side_takeProfitPrice_idx" ON "Position"("listingId", "side", "takeProfitPrice");

-- CreateIndex
CREATE INDEX "Position_listingId_side_stopLossPrice_idx" ON "Position"("listingId", "side", "stopLossPrice");

-- CreateIndex
CREATE UNIQUE INDEX "Position_userId_listingId_side_key" ON "Position"("userId", "listingId", "side");

-- CreateIndex
CREATE INDEX "SniperOrder_marketId_side_status_triggerPrice_idx" ON "SniperOrder"("marketId", "side", "status", "triggerPrice");

-- CreateIndex
CREATE INDEX "SniperOrder_status_expiresAt_idx" ON "SniperOrder"("status", "expiresAt");

-- CreateIndex
CREATE INDEX "CounterTradeConfig_targetWalletAddress_idx" ON "CounterTradeConfig"("targetWalletAddress");

-- CreateIndex
CREATE INDEX "CopyTradeSubscription_targetWalletAddress_idx" ON "CopyTradeSubscription"("targetWalletAddress");

-- CreateIndex
CREATE UNIQUE INDEX "NotificationOutbox_dedupeKey_key" ON "NotificationOutbox"("dedupeKey");

-- CreateIndex
CREATE INDEX "NotificationOutbox_userId_createdAt_idx" ON "NotificationOutbox"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "NotificationOutbox_deliveredAt_idx" ON "NotificationOutbox"("deliveredAt");

-- CreateIndex
CREATE INDEX "AuditLog_createdAt_idx" ON "AuditLog"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "PaperAccount_venue_accountId_key" ON "PaperAccount"("venue", "accountId");

-- CreateIndex
CREATE UNIQUE INDEX "PaperHolding_venue_accountId_venueMarketId_side_key" ON "PaperHolding"("venue", "accountId", "venueMarketId", "side");

-- CreateIndex
CREATE INDEX "PaperOrder_venue_status_venueMarketId_idx" ON "PaperOrder"("venue", "status", "venueMarketId");

-- CreateIndex
CREATE UNIQUE INDEX "PaperOrder_venue_clientOrderId_key" ON "PaperOrder"("venue", "clientOrderId");

-- CreateIndex
CREATE INDEX "PaperTrade_venue_orderId_idx" ON "PaperTrade"("venue", "orderId");

-- AddForeignKey
ALTER TABLE "ChatIdentity" ADD CONSTRAINT "ChatIdentity_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VenueCredential" ADD CONSTRAINT "VenueCredential_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MarketListing" ADD CONSTRAINT "MarketListing_marketId_fkey" FOREIGN KEY ("marketId") REFERENCES "Market"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_marketId_fkey" FOREIGN KEY ("marketId") REFERENCES "Market"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_listingId_fkey" FOREIGN KEY ("listingId") REFERENCES "MarketListing"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_copyTradeSubId_fkey" FOREIGN KEY ("copyTradeSubId") REFERENCES "CopyTradeSubscription"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_counterTradeId_fkey" FOREIGN KEY ("counterTradeId") REFERENCES "CounterTradeConfig"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_sniperId_fkey" FOREIGN KEY ("sniperId") REFERENCES "SniperOrder"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Fill" ADD CONSTRAINT "Fill_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Position" ADD CONSTRAINT "Position_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Position" ADD CONSTRAINT "Position_listingId_fkey" FOREIGN KEY ("listingId") REFERENCES "MarketListing"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SniperOrder" ADD CONSTRAINT "SniperOrder_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CounterTradeConfig" ADD CONSTRAINT "CounterTradeConfig_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CopyTradeSubscription" ADD CONSTRAINT "CopyTradeSubscription_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationOutbox" ADD CONSTRAINT "NotificationOutbox_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
