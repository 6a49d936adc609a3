-- Numbers unique nationally again (fails if two Cafs use one number meanwhile).
CREATE UNIQUE INDEX conventions_number_national ON conventions (number);
