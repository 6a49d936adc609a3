DROP TABLE provider_notices;
