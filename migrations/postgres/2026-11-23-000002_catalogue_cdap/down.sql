DELETE FROM profiles WHERE service_id = 'd112875a-b9d1-59f2-8cd8-2e67f0b83ed1';
DELETE FROM services WHERE id = 'd112875a-b9d1-59f2-8cd8-2e67f0b83ed1';
